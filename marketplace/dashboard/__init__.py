"""工作台: the staff landing page, the day's work and the month's trends in the actor's scope."""
