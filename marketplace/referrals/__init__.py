"""双向转介: families in hardship that organisations and volunteers meet, referred to civil affairs."""
