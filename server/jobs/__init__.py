"""The exchange's clocks: work that falls due with time rather than at someone's request.

The tier cascade (a tier's response window closes with no offer) and deadline warnings (a referral is
needed within hours and nobody has offered). The worker process runs them (`placement-exchange worker`,
or the web process with WORKER_IN_PROCESS) through runner.JobRunner; each job is a use case over the
database, so several workers may run them at once.
"""
