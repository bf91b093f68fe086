"""What the benchmarks and the tests both stand on: scratch PostgreSQL databases, the test
marketplace built through the services, and real server processes with a GraphQL client.

Not app code (the package is not installed with the app, and server/, schema/, notifications/ and
web/ never import it), and it imports nothing from tests/.
"""
