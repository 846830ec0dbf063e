"""Forslagskø: one code's uncoded passages, best first, coded with y and rejected with n."""
