"""The analysts' web view (``govnews serve``): Datasette metadata and the govnews plugin."""
