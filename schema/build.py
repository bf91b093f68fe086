"""Assemble the schema with its security extensions."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

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

from schema.execution import Execution, plan_fields
from schema.input_bounds import guard_root_fields
from schema.mutations.accounts import AccountMutations
from schema.mutations.block_contracts import BlockContractMutations
from schema.mutations.child_records import ChildRecordMutations
from schema.mutations.frameworks import FrameworkLifeMutations
from schema.mutations.mergers import MergerMutations
from schema.mutations.notifications import NotificationMutations
from schema.mutations.offers import OfferMutations
from schema.mutations.parked_mail import ParkedMailMutations
from schema.mutations.questions import QuestionMutations
from schema.mutations.referrals import ReferralMutations
from schema.mutations.reopenings import ReopeningMutations
from schema.mutations.resources import ResourceMutations
from schema.mutations.suspensions import SuspensionMutations
from schema.queries import Query as CoreQuery
from schema.subscriptions import Subscription as CoreSubscription
from schema.subscriptions import SubscriptionRefused
from schema.types.administration import AdministrationQueries
from schema.types.block_contracts import BlockContractQueries
from schema.types.child_records import ChildRecordQueries
from schema.types.contract_management import ContractMutations, ContractQueries, ContractSubscriptions
from schema.types.data_standards import DataStandardsMutations, DataStandardsQueries
from schema.types.notifications import NotificationQueries
from schema.types.pagination import PageSizeError
from schema.types.parked_mail import ParkedMailQueries
from schema.types.placement_life import PlacementLifeMutations, PlacementLifeQueries
from schema.types.questions import QuestionQueries
from schema.types.reopenings import ReopeningQueries
from server.events.hub import SubscriberLagging
from server.outage import MESSAGE as OUTAGE_MESSAGE
from server.outage import is_connection_fault

log = logging.getLogger("placement_exchange.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 4000
CACHE_SIZE = 256
MASKED_MESSAGE = "Unexpected error. Quote the X-Request-Id response header to support."


@strawberry.type
class Query(
    CoreQuery,
    NotificationQueries,
    ParkedMailQueries,
    AdministrationQueries,
    ChildRecordQueries,
    PlacementLifeQueries,
    QuestionQueries,
    ReopeningQueries,
    DataStandardsQueries,
    BlockContractQueries,
    ContractQueries,
):
    pass


@strawberry.type
class Mutation(
    AccountMutations,
    ReferralMutations,
    OfferMutations,
    ResourceMutations,
    NotificationMutations,
    ParkedMailMutations,
    ChildRecordMutations,
    PlacementLifeMutations,
    QuestionMutations,
    FrameworkLifeMutations,
    ReopeningMutations,
    MergerMutations,
    SuspensionMutations,
    DataStandardsMutations,
    BlockContractMutations,
    ContractMutations,
):
    pass


@strawberry.type
class Subscription(CoreSubscription, ContractSubscriptions):
    pass


def _should_mask(error: GraphQLError) -> bool:
    """Show our own expected errors and GraphQL's words on the client's mistakes; hide real server faults.

    A document or variable the schema refuses (validation, a variable that does not coerce to its type, an
    unknown input field) is the client's to fix: graphql-core's message says what and where. Such errors carry
    graphql-core's own GraphQLError, or a scalar's ValueError/TypeError from coercing a variable (no path:
    nothing was executed). Anything else raised while resolving is a fault of ours, and masked.
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError) or is_connection_fault(original):
        return False  # a lost database connection is told as SERVICE_UNAVAILABLE (Schema.process_errors)
    if error.path is None and isinstance(original, ValueError | TypeError | OverflowError):
        return False
    if isinstance(original, PageSizeError | SubscriptionRefused | SubscriberLagging):
        return False
    return not _is_permission_error(error)


def _is_permission_error(error: GraphQLError) -> bool:
    return bool(error.extensions and error.extensions.get("code") == "UNAUTHENTICATED")


class MaskFaults(MaskErrors):
    """MaskErrors, with its test of whether a result has errors made without a runtime Protocol check.

    strawberry asks `isinstance(result, <a runtime_checkable Protocol>)` of every result, 10-30 µs on
    Python 3.11 each time: for a live event, once for each group's message. The test it stands for is the
    same: an `errors` attribute, not empty.
    """

    def _process_result(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log each masked error once, as a bounded summary with the request id the client can quote.

        The summary names the exception's type, the operation, the field's path and where it was raised, and
        never an error message: messages quote the request's values (passwords, tokens, free text about a
        child) and can be as long as the request itself.
        """
        context = getattr(execution_context, "context", None)
        request_id = getattr(context, "request_id", "-")
        operation = getattr(execution_context, "operation_name", None) or "-"
        for error in errors:
            if error.original_error is not None and is_connection_fault(error.original_error):
                log.error("request %s: database unavailable (%s)", request_id, type(error.original_error).__name__)
                error.message = OUTAGE_MESSAGE
                error.extensions = {"code": "SERVICE_UNAVAILABLE"}
            elif error.original_error is not None and _should_mask(error):
                log.error("request %s: %s", request_id, fault_summary(error.original_error, operation, error.path))


MAX_SUMMARY_FRAMES = 8


def fault_summary(fault: BaseException, operation: str, path: list[str | int] | None) -> str:
    """At most a few hundred characters: type, operation, path and the innermost frames (file:line function)."""
    frames = traceback.extract_tb(fault.__traceback__)[-MAX_SUMMARY_FRAMES:]
    where = " < ".join(f"{Path(frame.filename).name}:{frame.lineno} {frame.name}" for frame in reversed(frames))
    field = ".".join(str(part) for part in path or []) or "-"
    return f"{type(fault).__name__} in {operation[:64]} at {field[:128]} ({where or 'no frames'})"


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
        lambda: MaskFaults(should_mask_error=_should_mask, error_message=MASKED_MESSAGE),
    ]
    guard_root_fields(Query, mutation=False)
    guard_root_fields(Mutation, mutation=True)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
        execution_context_class=Execution,
    )
    plan_fields(schema._schema, schema.config.info_class)
    return schema


def schema_sdl() -> str:
    from strawberry.printer import print_schema

    return print_schema(build_schema(production=False)) + "\n"
