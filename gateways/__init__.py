"""One thin module per remote service (the payment providers, the Bank of Russia's rates, the
РСА): one function per remote call, our own exceptions, timeouts on every call. No models and no
imports of the portal's apps: the apps above call these and decide what an answer means."""
