"""Forms, one module per feature: the delegate's registration form, and what a head of
delegation's pages add to it. Forms only parse and validate; the services write."""
