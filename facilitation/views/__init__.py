"""HTML pages: thin views that parse, call services or queries, and render."""
