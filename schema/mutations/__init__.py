"""Mutations: one `input`, a payload with the result and `errors: [UserError!]!`, a service call."""
