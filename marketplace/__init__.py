"""善桥 Shanqiao: the app factory. Nothing runs at import time."""

from flask import Flask

from .resources import resource_dir


def create_app(config: dict | None = None) -> Flask:
    from . import db, web
    from .config import load_config
    from .privacy import vault

    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)

    db.init_app(app)
    from . import http_cache, page_cache

    page_cache.init_store(app)  # right after the commit hook: it runs after every other after_request hook
    vault.init_app(app)
    from .evidence import storage as evidence_storage

    evidence_storage.init_app(app)  # photos and receipts: a local directory or S3 (MARKETPLACE_STORAGE_URL)
    web.init_app(app)
    from . import i18n

    i18n.init_app(app)  # Flask-Babel: the language of each request, the English catalogue, date filters
    http_cache.init_app(app)  # after web's hooks, so Flask runs its ETag hook, then compression, then web's
    from .notify.delivery import mail

    # After config: MAIL_SUPPRESS_SEND is read here (set explicitly by load_config, not from TESTING).
    mail.init_app(app)

    from .api.views import bp as api_bp
    from .auth.admin_views import bp as users_bp
    from .auth.views import bp as auth_bp
    from .claims.views import bp as claims_bp
    from .duplicates.views import bp as duplicates_bp
    from .fulfilment.views import bp as fulfilment_bp
    from .ledger.views import bp as ledger_bp
    from .needs.views import bp as needs_bp
    from .pledges.views import bp as pledges_bp
    from .privacy.views import bp as privacy_bp
    from .recommend.views import bp as recommend_bp
    from .registry.import_views import bp as imports_bp
    from .registry.views import bp as registry_bp
    from .reports.views import bp as reports_bp
    from .search.views import bp as search_bp

    for blueprint in (auth_bp, needs_bp, claims_bp, fulfilment_bp, registry_bp, ledger_bp, users_bp,
                      imports_bp, privacy_bp, api_bp, duplicates_bp, reports_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(recommend_bp)
    app.register_blueprint(search_bp)
    from .volunteering.records_views import bp as volunteer_records_bp
    from .volunteering.views import bp as volunteering_bp

    app.register_blueprint(volunteering_bp)
    app.register_blueprint(volunteer_records_bp)
    from .volunteering.finder_views import bp as shift_finder_bp

    app.register_blueprint(shift_finder_bp)
    from .organizations import member_views, staff_views
    from .organizations import views as organization_views

    for blueprint in (organization_views.bp, staff_views.bp, member_views.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(pledges_bp)
    from .notify.views import bp as notify_outbox_bp

    app.register_blueprint(notify_outbox_bp)
    from .notify.password_views import bp as password_bp
    from .notify.profile_views import bp as notify_profile_bp

    app.register_blueprint(notify_profile_bp)
    app.register_blueprint(password_bp)
    from .auth.language_views import bp as language_bp
    from .offers.views import bp as offers_bp
    from .purchases.views import bp as purchases_bp
    from .referrals.views import bp as referrals_bp
    from .routing.views import bp as routing_bp

    for blueprint in (offers_bp, referrals_bp, routing_bp, purchases_bp):  # both directions of 衔接 (issue 16)
        app.register_blueprint(blueprint)
    from .bulletins.views import bp as bulletins_bp
    from .dashboard.views import bp as dashboard_bp
    from .transparency.views import bp as transparency_bp

    for blueprint in (transparency_bp, dashboard_bp, bulletins_bp):  # 阳光公示, 工作台, 通报 (issue 17)
        app.register_blueprint(blueprint)

    app.register_blueprint(language_bp)
    from .security.views import bp as security_bp

    app.register_blueprint(security_bp)
    from .auth.account_views import bp as account_bp

    app.register_blueprint(account_bp)
    from .auth.reauth_views import bp as reauth_bp
    from .auth.two_factor_views import bp as two_factor_bp

    app.register_blueprint(two_factor_bp)
    app.register_blueprint(reauth_bp)
    from .aid_items.views import bp as aid_items_bp

    app.register_blueprint(aid_items_bp)
    from .confirmation.views import bp as confirmation_bp
    from .evaluation.views import bp as evaluation_bp
    from .evidence.views import bp as evidence_bp

    for blueprint in (evidence_bp, confirmation_bp, evaluation_bp):
        app.register_blueprint(blueprint)
    from .demo.views import bp as demo_bp

    app.register_blueprint(demo_bp)
    from .health import bp as health_bp

    app.register_blueprint(health_bp)
    from .operations import views as operations

    operations.init_app(app)  # /metrics and the request timing; its hooks put themselves first and last
    # Answers kept for anonymous visitors are replayed before Flask is entered; inside the proxy fix, so
    # the API limit counted on a replay reads the client's address, not nginx's.
    page_cache.install(app)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx every request comes from 127.0.0.1 over HTTP: the client's own address (per-address
        # limits, security log, sessions) and scheme (Secure cookie, CSRF referrer check) come from the
        # X-Forwarded-* headers the trusted proxies set. The Host header is nginx's `Host $host`.
        proxies = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    from .security import redaction

    # Last, once every module's logger exists: token paths are redacted from any log record.
    redaction.install(app)
    return app
