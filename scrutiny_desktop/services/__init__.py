"""What a user can do with an assessment.  No Qt here.

Each module covers one kind of record.  Services own sessions and
transactions: every change is one short committed transaction with one audit
row, and callers get plain dataclasses back, never ORM objects.
"""
