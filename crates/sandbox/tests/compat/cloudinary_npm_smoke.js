// cloudinary_npm (the `cloudinary` package, v2) against the sandbox Cloudinary: proves the sandbox
// speaks the API Cloudinary's Node SDK expects, `upload_large`'s `Content-Range: bytes a-b/-1`
// chunks included.
//
// How to run (`npm install --prefix /some/dir cloudinary@2`, then point NODE_PATH at its
// node_modules):
//
//     NODE_PATH=/some/dir/node_modules cargo test --lib sandbox::cloudinary::smoke_tests -- --nocapture
//
// or by hand against a running sandbox:
//
//     NODE_PATH=/some/dir/node_modules node tests/compat/cloudinary_npm_smoke.js http://127.0.0.1:PORT CLOUD API_KEY API_SECRET
//
// The SDK is pointed at the sandbox with `upload_prefix: "http://127.0.0.1:PORT"` (Upload and
// Admin API). The SDK picks Node's `http` or `https` module when it is first required, from the
// `upload_prefix` it finds in CLOUDINARY_URL then, so the script sets CLOUDINARY_URL (with
// `?upload_prefix=`) before requiring it, and also calls `cloudinary.v2.config({...})`.
// Exit code 0 = passed.

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, cloud, key, secret] = process.argv.slice(2);
process.env.CLOUDINARY_URL = `cloudinary://${key}:${secret}@${cloud}?upload_prefix=${encodeURIComponent(url)}`;
const cloudinary = require('cloudinary').v2;

cloudinary.config({cloud_name: cloud, api_key: key, api_secret: secret, upload_prefix: url, secure: false});

function ok(label, condition, detail) {
    assert.ok(condition, `${label} failed ${detail === undefined ? '' : JSON.stringify(detail)}`);
    console.log(`ok   ${label}`);
}

async function sample(name, folder) {
    const res = await fetch(`${url}/_sandbox/files/${name}`);
    const file = path.join(folder, name);
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
}

function uploadLarge(file, options) {
    return new Promise((resolve, reject) => {
        cloudinary.uploader.upload_large(file, options, (error, result) => (error ? reject(error) : resolve(result)));
    });
}

async function main() {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudinary-npm-'));
    const photo = await sample('image-1600x1200.jpg', folder);
    const video = await sample('video-640x360-12s-12mb.mp4', folder);

    const res = await cloudinary.uploader.upload(photo, {
        public_id: 'npm/photo',
        eager: [{width: 1080, height: 1080, crop: 'fill'}],
    });
    ok('upload: properties', res.width === 1600 && res.height === 1200 && res.format === 'jpg', res);
    const eager = res.eager[0];
    ok('upload: eager size', eager.width === 1080 && eager.height === 1080, eager);
    ok('upload: eager string', eager.transformation === 'c_fill,h_1080,w_1080', eager);
    const derived = await fetch(eager.url);
    ok('delivery: the derived file', derived.status === 200 && (await derived.arrayBuffer()).byteLength === eager.bytes);

    const size = fs.statSync(video).size;
    ok('the video needs several chunks', size > 2 * 5242880, size);
    const big = await uploadLarge(video, {resource_type: 'video', public_id: 'npm/big', chunk_size: 5242880});
    ok('upload_large: whole file', big.bytes === size && big.public_id === 'npm/big', big);
    ok('upload_large: video properties', big.width === 640 && big.height === 360 && big.duration === 12, big);

    const created = await cloudinary.api.create_upload_preset({
        name: 'npm_preset', unsigned: true, asset_folder: 'npm', tags: 'from_preset',
    });
    ok('create_upload_preset', created.message === 'created' && created.name === 'npm_preset', created);
    let refused = null;
    try {
        await cloudinary.api.create_upload_preset({name: 'npm_preset', unsigned: true});
    } catch (e) {
        refused = e;
    }
    ok('create_upload_preset twice is refused', refused && refused.error && refused.error.http_code === 409, refused);

    const usage = await cloudinary.api.usage();
    ok('usage: plan and limits', usage.plan === 'Free' && usage.media_limits.image_max_size_bytes === 10000000, usage);
    ok('usage: rate limit headers', usage.rate_limit_allowed === 500 && usage.rate_limit_remaining !== undefined, usage);

    const resource = await cloudinary.api.resource('npm/photo');
    ok('resource with derived', resource.public_id === 'npm/photo' && resource.derived.length === 1, resource);
    const video_resource = await cloudinary.api.resource('npm/big', {resource_type: 'video'});
    ok('resource: the chunked video', video_resource.bytes === size, video_resource);
    console.log('PASSED');
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
