"""GraphQL object types. Resolvers receive ORM rows as `self` and load relations through DataLoaders."""
