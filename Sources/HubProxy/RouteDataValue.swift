import HubModel

/// Free-form data stored with a route (CHP route "data"), such as `user`, `server_name` and
/// `jupyterhub: true`; returned verbatim by the route API next to `target` and `last_activity`.
public typealias RouteDataValue = JSONValue
