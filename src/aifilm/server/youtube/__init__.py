"""YouTube publishing from the hosted server, built on `aifilm.publish.youtube`.

* `tokens`: channel tokens encrypted at rest, and the publish package's settings and
  credentials made from the server's settings and a user's connection.
* `oauth`: the web consent flow (PKCE, a state bound to the user), disconnecting.
* `queue`: the `youtube_uploads` table as a queue: enqueue (once per film per channel),
  claim with a lease, progress, finish, fail; auto-publish of finished renders.
* `runner`: a claimed upload run through `publish()`, its record kept in the database.
"""
