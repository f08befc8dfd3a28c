"""The web dashboard's rules: signed links bound to a workspace and a user, who may see which
page, and the page data (activity, topic trends, strongest and weakest topics) shaped from the
read-side repository."""
