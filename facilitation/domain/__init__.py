"""The meeting's rules in plain Python: no Flask, SQLAlchemy or Socket.IO imports here.

Functions take `now` (an aware UTC datetime) as an argument and work on any object with the
attributes the protocols in each module describe, so the ORM rows and test dataclasses both fit.
"""
