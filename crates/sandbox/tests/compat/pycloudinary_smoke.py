"""pycloudinary against the sandbox Cloudinary: proves the sandbox speaks the API a real SDK expects.

How to run (pycloudinary 1.x; `pip install "cloudinary==1.*"`):

    cargo test --lib sandbox::cloudinary::smoke_tests -- --nocapture

That starts a sandbox on 127.0.0.1 and runs this script with its URL and a cloud's credentials. To
run it by hand against a sandbox you started yourself:

    python3 tests/compat/pycloudinary_smoke.py http://127.0.0.1:PORT CLOUD API_KEY API_SECRET

The SDK is pointed at the sandbox with `upload_prefix` (Upload and Admin API) and, for delivery
URLs, `secure=False` with `cname` set to the sandbox's host:port (`secure_distribution` gives an
https URL with the same host, which the sandbox does not serve). Exit code 0 = passed.
"""

import os
import sys
import tempfile
import urllib.request
from urllib.parse import urlparse

import cloudinary
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils


def check(label, condition, detail=""):
    if not condition:
        raise AssertionError(f"{label} failed {detail}")
    print(f"ok   {label}")


def sample(url, name, folder):
    path = os.path.join(folder, name)
    with urllib.request.urlopen(f"{url}/_sandbox/files/{name}") as r, open(path, "wb") as f:
        f.write(r.read())
    return path


def main(url, cloud, key, secret):
    host = urlparse(url).netloc
    cloudinary.config(
        cloud_name=cloud,
        api_key=key,
        api_secret=secret,
        upload_prefix=url,
        secure=False,
        cname=host,
    )
    folder = tempfile.mkdtemp()
    photo = sample(url, "image-1600x1200.jpg", folder)
    video = sample(url, "video-640x360-12s-12mb.mp4", folder)

    res = cloudinary.uploader.upload(
        photo, public_id="smoke/photo", eager=[{"width": 1080, "height": 1080, "crop": "fill"}]
    )
    check("upload: properties", (res["width"], res["height"], res["format"]) == (1600, 1200, "jpg"), res)
    eager = res["eager"][0]
    check("upload: eager size", (eager["width"], eager["height"]) == (1080, 1080), eager)
    check("upload: eager string", eager["transformation"] == "c_fill,h_1080,w_1080", eager)

    created = cloudinary.api.create_upload_preset(
        name="smoke_preset", unsigned=True, asset_folder="smoke", tags="from_preset"
    )
    check("create_upload_preset", created["message"] == "created" and created["name"] == "smoke_preset", created)
    try:
        cloudinary.api.create_upload_preset(name="smoke_preset", unsigned=True)
        check("create_upload_preset twice is refused", False)
    except cloudinary.exceptions.AlreadyExists:
        check("create_upload_preset twice is refused", True)
    unsigned = cloudinary.uploader.unsigned_upload(photo, "smoke_preset")
    check("unsigned upload with the preset", unsigned["asset_folder"] == "smoke", unsigned)
    check("the preset's tags apply", unsigned["tags"] == ["from_preset"], unsigned)

    usage = cloudinary.api.usage()
    check("usage: plan and limits", usage["plan"] == "Free" and usage["media_limits"]["image_max_size_bytes"] == 10_000_000, usage)
    check("usage: rate limit headers", usage.rate_limit_allowed == 500 and usage.rate_limit_remaining is not None)

    big = cloudinary.uploader.upload_large(video, resource_type="video", public_id="smoke/big", chunk_size=5_242_880)
    check("upload_large: whole file", big["bytes"] == os.path.getsize(video), big)
    check("upload_large: video properties", (big["width"], big["height"], big["duration"]) == (640, 360, 12.0), big)

    delivery, _ = cloudinary.utils.cloudinary_url(
        "smoke/photo", width=1080, height=1080, crop="fill", format="jpg", version=res["version"]
    )
    check("cloudinary_url points at the sandbox", delivery.startswith(f"{url}/{cloud}/image/upload/c_fill,h_1080,w_1080/"), delivery)
    with urllib.request.urlopen(delivery) as r:
        body = r.read()
        check("delivery: the derived file", r.headers["Content-Type"] == "image/jpeg" and len(body) == eager["bytes"])
    secure, _ = cloudinary.utils.cloudinary_url("smoke/photo", secure=True, secure_distribution=host, format="jpg")
    check("secure_distribution names the sandbox host", secure.startswith(f"https://{host}/{cloud}/image/upload/"), secure)

    made = cloudinary.api.create_transformation("smoke_square", {"width": 100, "height": 100, "crop": "fill"})
    check("create_transformation", made["message"] == "created", made)
    named = cloudinary.api.transformation("smoke_square")
    check("transformation details", named["named"] and named["name"] == "t_smoke_square", named)

    resource = cloudinary.api.resource("smoke/photo")
    check("resource with derived", resource["public_id"] == "smoke/photo" and len(resource["derived"]) == 1, resource)
    gone = cloudinary.uploader.destroy("smoke/photo")
    check("destroy", gone["result"] == "ok", gone)
    try:
        cloudinary.api.resource("smoke/photo")
        check("a destroyed resource is not found", False)
    except cloudinary.exceptions.NotFound:
        check("a destroyed resource is not found", True)
    print("PASSED")


if __name__ == "__main__":
    main(*sys.argv[1:5])
