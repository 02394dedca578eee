"""月度衔接情况通报: a region's month of 衔接, generated on the 1st, printed, downloaded and mailed."""
