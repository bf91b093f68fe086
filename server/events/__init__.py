"""Events: the log written with every change, and the bus that rings the doorbell."""
