"""Leerkring: learning communities for technical SMEs, vocational education and partners."""
import os

from flask import Flask

from config import BASE_DIR, ProductionConfig, config_for


def create_app(config=None):
    """Build the application. ``config`` is a config class, a name, or None (LEERKRING_ENV)."""
    config_class = config if isinstance(config, type) else config_for(config)
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", os.path.join(BASE_DIR, "instance")),
        template_folder=os.path.join(BASE_DIR, "templates"),
        static_folder=os.path.join(BASE_DIR, "static"),
    )
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)

    from community import database, errors, i18n, jobs, security_setup, templating
    from community.realtime import sockets
    from community.api import init_api
    from community.cli import register_cli

    database.init_app(app)
    security_setup.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    sockets.init_app(app)
    jobs.init_app(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_blueprints(app)
    init_api(app)
    errors.init_app(app)
    register_cli(app)
    return app


def register_blueprints(app):
    from community.account import bp as account_bp
    from community.admin import bp as admin_bp
    from community.auth import bp as auth_bp
    from community.cases import bp as cases_bp
    from community.communities import bp as communities_bp
    from community.discussions import bp as discussions_bp
    from community.main import bp as main_bp
    from community.moderation import bp as moderation_bp
    from community.notifications import bp as notifications_bp
    from community.organisations import bp as organisations_bp
    from community.people import bp as people_bp
    from community.research import bp as research_bp
    from community.scan import answer as _scan_answer  # noqa: F401  (the respondents' routes, on scan's bp)
    from community.scan.views import bp as scan_bp
    from community.search.views import bp as search_bp
    from community.trajectories import bp as trajectories_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(communities_bp)
    app.register_blueprint(discussions_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(trajectories_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(scan_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(research_bp)
    app.register_blueprint(search_bp)
