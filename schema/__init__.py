"""The GraphQL schema: types, inputs, enums, queries, mutations, subscriptions."""
