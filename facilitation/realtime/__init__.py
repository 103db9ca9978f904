"""Socket.IO adapter, in three parts:

- `connections`: the socket handlers (connect, disconnect, sync, time, command, the catch-all);
  the factory imports it, which registers them on `socketio`;
- `broadcast`: sending committed events to a meeting's rooms and cutting off revoked links' sockets,
  for the handlers, the views and the API alike;
- `flood`: each connection's allowance of events.

Nothing is imported here, so that using `broadcast` does not load the handlers.
"""
