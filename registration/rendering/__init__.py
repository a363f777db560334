"""Badges, print sheets and calendar files made from plain values, without touching the database.

Reading registrations and storing what is made here belong to `registration.services`.
"""
