"""Assemble the schema with its security extensions."""

from __future__ import annotations

import logging
from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.mutations.accounts import AccountMutations
from schema.mutations.notifications import NotificationMutations
from schema.mutations.offers import OfferMutations
from schema.mutations.referrals import ReferralMutations
from schema.mutations.resources import ResourceMutations
from schema.queries import Query as CoreQuery
from schema.subscriptions import Subscription, SubscriptionRefused
from schema.types.notifications import NotificationQueries
from schema.types.pagination import PageSizeError
from server.events.hub import SubscriberLagging

log = logging.getLogger("placement_exchange.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 4000
CACHE_SIZE = 256
MASKED_MESSAGE = "Unexpected error. Quote the X-Request-Id response header to support."


@strawberry.type
class Query(CoreQuery, NotificationQueries):
    pass


@strawberry.type
class Mutation(AccountMutations, ReferralMutations, OfferMutations, ResourceMutations, NotificationMutations):
    pass


def _should_mask(error: GraphQLError) -> bool:
    """Show our own expected errors and GraphQL's validation errors; hide anything unexpected."""
    original = error.original_error
    if original is None:
        return False
    if isinstance(original, PageSizeError | SubscriptionRefused | SubscriberLagging):
        return False
    return not _is_permission_error(error)


def _is_permission_error(error: GraphQLError) -> bool:
    return bool(error.extensions and error.extensions.get("code") == "UNAUTHENTICATED")


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log unexpected errors with the request id, which the client can quote to support."""
        context = getattr(execution_context, "context", None)
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            if error.original_error is not None and _should_mask(error):
                log.error("request %s: %s", request_id, error.message, exc_info=error.original_error)


def build_schema(*, production: bool) -> strawberry.Schema:
    # The limiters' validator classes are made once: classes made per request would defeat the validation
    # cache (its key includes the rules) and stay alive as long as each live subscription.
    rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
        *([NoSchemaIntrospectionCustomRule] if production else []),
    ]
    # Factories, so that every request gets fresh extension instances (strawberry sets each instance's
    # execution_context); the parser and validation caches behind them are shared.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        lambda: MaskErrors(should_mask_error=_should_mask, error_message=MASKED_MESSAGE),
    ]
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    from strawberry.printer import print_schema

    return print_schema(build_schema(production=False)) + "\n"
