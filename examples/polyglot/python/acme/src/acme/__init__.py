def answer():\n    return 42
