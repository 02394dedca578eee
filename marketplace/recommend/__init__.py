"""为我推荐: open needs ranked for a charity or volunteer by fit with their declared service profile."""
