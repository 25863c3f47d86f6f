from flask import Blueprint, render_template

from lms.catalog.queries import published_parcours

bp = Blueprint("catalog", __name__)


@bp.route("/")
def index():
    return render_template("catalog/index.html", parcours_list=published_parcours())
