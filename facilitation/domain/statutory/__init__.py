"""The statutory clock: SEND and IDEA deadlines kept as versioned data, one evaluator, calendar arithmetic."""
