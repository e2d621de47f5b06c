"""Development tools: the demo data set (`manage.py seed_demo`) and the ESIA emulator.

Installed only by the development and test settings; not in the package nor the production image.
"""
