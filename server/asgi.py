"""The ASGI entry point uvicorn serves (`server.asgi:app`)."""

from server.app import create_app
from server.cli import load_settings

app = create_app(load_settings())
