"""The pages and orchestrations that span apps: the dashboard, «Мои документы», the policy card
with its co-pay debt, the data export, closing an account, navigation and the payment webhook
router. No models: each app keeps its own data and rules; this top layer composes them."""
