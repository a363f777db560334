"""Personal data: a delegate's own copy, erasure on request, and the retention purge.

Korea's Personal Information Protection Act and the GDPR ask that personal data be kept no
longer than needed and be given back or erased on request; docs/privacy.md says what is kept.
"""
