"""What a use case needs to queue an email: the kinds and their role defaults, and the row's id and due time.

The rows are written by UnitOfWork.notify (server.services.unit_of_work) to its audience; the notifications
package sends them. Nothing here sends anything.
"""
