"""The steward's to-do list: one page per organisation listing what needs a
steward's hand (drafts, quality findings, unreachable URLs, harvest
warnings, overdue updates), each linked to the field to fix."""
