"""Every write to ideas and experiments goes through a function in this package."""
