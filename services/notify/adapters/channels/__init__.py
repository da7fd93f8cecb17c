"""The channels a delivery can go out on, behind one interface (:class:`base.Channel`): agencies'
webhooks, and email (SMTP), WhatsApp (a Business Cloud API style provider) and SMS (an HTTP
gateway) for citizens. :class:`outbound.Outbound` routes each delivery to its channel."""
