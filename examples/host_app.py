"""A Flask app of one's own, with its home page, its sign-in and its 404 page, and the
image store mounted at /images, where only someone signed in may upload or delete.

    FLASK_IMAGESTORE_CONFIG=/path/to/filesystem.ini flask --app host_app run

Its templates/imagestore/base.html puts the store's pages in the app's own layout.
"""

from flask import Flask, redirect, render_template, request, session, url_for

from imagestore import ImageStore


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "only-for-trying-it-out"
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_IMAGESTORE_CONFIG, ...
    ImageStore(app, can_write=lambda: "user" in session)

    @app.get("/")
    def home():
        return render_template("home.html", user=session.get("user"))

    @app.post("/sign-in")
    def sign_in():
        session["user"] = request.form.get("name") or "guest"
        return redirect(url_for("home"))

    @app.errorhandler(404)
    def not_found(error):
        return render_template("not_found.html"), 404

    return app
