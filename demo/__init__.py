"""The demo organisation: a Nordic retailer's growth teams, loaded by `manage.py load_demo_data`.

`data/` holds plain lists and dicts (no ORM); `load.py` runs the named steps that write them
through the services, so checks and history apply exactly as they do for people.
"""
