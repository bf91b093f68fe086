"""Live subscriptions shared by everyone who would receive the same messages.

A thousand duty desks of one provider subscribed to the same `referralInbox`
selection would each have the hub wake their own generator, load the same
referral and run the same selection set for every event, one after another.
Instead, identical live subscriptions form a group, keyed by

    the document, its operation name and variables, and the permission scope
    (role and organisation: everything the subscription resolvers and the
    permission checks look at, see `schema.subscriptions`; schema.live.grouping),

and each group runs the subscription once: one hub subscriber, one execution
per event, one JSON encoding. Its members only copy the encoded payload into a
`next` message with their own operation id and write it to their socket.

Permission is still decided for every event: by the group's execution, whose
actor has the same role and organisation as every member's, so the outcome is
the same for each of them.

Only event streams are grouped (GROUPED_FIELDS); the dashboard, whose first
message is a snapshot, runs on its own. A member resuming `after` a cursor
joins its group too: the group's feed of events (feed.GroupFeed) replays the table
for that member alone, up to the event the group has reached, and then counts
it in for live events, so there is no gap and no duplicate at the seam. The
feed reads the table in pages between live events, so a long replay for one
member does not hold up the live feed of the others.

Each member has a bounded backlog. A member whose socket stops draining
(a client that stopped reading) does not hold the others up: when its backlog
is full it is cut off, as the hub cuts off a lagging subscriber, with the
cursor of the last message it was given, so that it can resume with `after`.

The package, in the order a message goes:

    protocol.py  graphql-transport-ws: a groupable subscription joins its group instead of running alone
    grouping.py  which subscriptions are the same (the group's key)
    groups.py    a group runs the subscription once and encodes each result once; LiveGroups, per endpoint
    feed.py      the group's events: the hub's live ones, and the table's for a member catching up
    member.py    a member's share: written at once (frames.py) or from its bounded backlog by its own task
    frames.py    a `next` message framed by hand and written straight to uvicorn's transport
    settle.py    the after-commit hook: a use case committing events lets the groups deliver them first
    shared.py    what subscriptions build once per event and share (fresh loaders primed with the rows)

The app registers `LiveGroups.settle` as the process's after-commit hook (server.events.after_commit),
and RawSend (frames.py) as its outermost middleware.
"""
