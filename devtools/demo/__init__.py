"""Demo data of `manage.py seed_demo`: data lists (clinics, names, medicine) and seeding steps."""
