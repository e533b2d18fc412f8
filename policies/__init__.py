"""The decision engine and the policy catalog as data.

Pure: nothing here touches a database, the network or the clock. The gateway hands
a `Request` to `evaluate` together with the loaded `Catalog` and gets a `Decision`.
"""
