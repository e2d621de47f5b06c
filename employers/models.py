"""HR managers of policyholder companies and their employee-list imports (HR issue)."""
