"""Volunteers and shifts: registration, shifts on service needs, sign-ups with a waitlist, attendance and
the hours it earns (志愿服务时长)."""
