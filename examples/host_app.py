"""A Flask app of one's own, with its home page, its sign-in and its 404 page, and the
image store mounted at /images, where only someone signed in may upload or delete. Its
own form saves a profile photo through the store's Python API, onto the user's record,
and its home page shows it as a square avatar with one ``imagestore_img`` call.

    FLASK_IMAGESTORE_CONFIG=/path/to/filesystem.ini flask --app host_app run

Its templates/imagestore/base.html puts the store's pages in the app's own layout.
"""

from flask import Flask, abort, redirect, render_template, request, session, url_for

from imagestore import ImageRejected, ImageStore

images = ImageStore(can_write=lambda: "user" in session, variants={"avatar": {"fill": (256, 256)}})


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "only-for-trying-it-out"
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_IMAGESTORE_CONFIG, ...
    images.init_app(app)
    profiles = {}  # the app's own records; a real app keeps them in its database

    @app.get("/")
    def home():
        user = session.get("user")
        photo_key = profiles.get(user, {}).get("photo")
        photo = images.get(photo_key) if photo_key else None
        return render_template("home.html", user=user, photo=photo)

    @app.post("/profile-photo")
    def profile_photo():
        if "user" not in session:
            abort(403)
        try:
            stored = images.save(request.files["photo"])
        except ImageRejected as why:
            return render_template("home.html", user=session["user"], refused=str(why)), 400
        profiles.setdefault(session["user"], {})["photo"] = stored.key
        return redirect(url_for("home"), 303)

    @app.post("/sign-in")
    def sign_in():
        session["user"] = request.form.get("name") or "guest"
        return redirect(url_for("home"))

    @app.errorhandler(404)
    def not_found(error):
        return render_template("not_found.html"), 404

    return app
