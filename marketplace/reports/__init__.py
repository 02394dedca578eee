"""统计报表: blind spots (救助盲区), stalled help, the cliff (悬崖效应) and who does what where."""
