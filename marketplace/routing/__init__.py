"""分类推送: new needs go first to the government department a rule names, then to social forces."""
