"""Plain data for the demo organisation: teams, people, metrics, sprints, ideas and tests."""
