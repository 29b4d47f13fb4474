#!/usr/bin/python3
"""Golden data for org.svgjava.encoder.image: what Pillow and OpenCV compute on a few synthetic images.

Run from this directory with the system Python (Pillow 9.4, OpenCV 4.6, numpy):

    /usr/bin/python3 make_goldens.py

It writes the input images as PNG files (and, to check the PNG reader, their pixels as PIL decodes them) and
goldens.npz: every output as a uint8 [H, W, 3] array, delta-coded as PNG's filters do (each byte minus its left
neighbour, then each row minus the row above, modulo 256: see delta2d) and stored with np.savez_compressed, so the
test reads it with java.util.zip and a small .npy parser and undoes the prediction. Everything is deterministic (seeded noise, no dates in the files).
"""
import cv2
import numpy as np
from PIL import Image

rng = np.random.RandomState(1234)


def gradients_stripes_noise(w, h, noise_rows):
    """Smooth ramps (interpolation), 1-px stripes and checkerboards (ringing, clipping) and a band of noise."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3), np.float64)
    img[..., 0] = 255 * x / (w - 1)
    img[..., 1] = 255 * y / (h - 1)
    img[..., 2] = 127.5 + 127.5 * np.sin(x / 7.0 + y / 11.0)
    # hard edges with 0/255 extremes: bicubic overshoots there and has to clip
    stripes = ((x.astype(int) // 3) % 2 == 0) & (y < h // 3)
    img[stripes] = [255, 255, 255]
    img[((x.astype(int) // 5 + y.astype(int) // 5) % 2 == 1) & (y >= h // 3) & (y < h // 2)] = [0, 0, 0]
    band = slice(h - noise_rows, h)
    img[band] = rng.randint(0, 256, size=(noise_rows, w, 3))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---- inputs ----
inputs = {
    "rgb301x217": gradients_stripes_noise(301, 217, 40),
    "rgb200x150": gradients_stripes_noise(200, 150, 30),
    # big enough for center_crop_arr's BOX halving loop (700 >= 512) and an exact 2x cv2 downscale
    "rgb1024x700": gradients_stripes_noise(1024, 700, 12),
}
grey = np.zeros((480, 640), np.uint8)
gy, gx = np.mgrid[0:480, 0:640]
grey[:] = (gx * 255 // 639 + 40 * ((gy // 8) % 2)).clip(0, 255)
grey[400:] = rng.randint(0, 256, size=(80, 640))

Image.fromarray(grey, "L").save("grey640x480.png")
for name, arr in inputs.items():
    Image.fromarray(arr, "RGB").save(name + ".png")

# RGBA: PIL's convert("RGB") drops alpha without compositing; the alpha carries values that would matter if it did
rgba = np.zeros((48, 64, 4), np.uint8)
rgba[..., :3] = inputs["rgb200x150"][:48, :64]
rgba[..., 3] = np.arange(64, dtype=np.uint8)[None, :] * 4
Image.fromarray(rgba, "RGBA").save("rgba64x48.png")
# grey + alpha
la = np.stack([grey[:48, :64], rgba[..., 3]], axis=-1)
Image.fromarray(la, "LA").save("la64x48.png")
# palette image
Image.fromarray(inputs["rgb200x150"][:48, :64]).quantize(colors=17, method=Image.Quantize.MEDIANCUT,
                                                         dither=Image.Dither.NONE).save("palette64x48.png")
# JPEG with 4:2:0 chroma subsampling: the decoder's upsampling and colour conversion must match libjpeg-turbo's
Image.fromarray(inputs["rgb301x217"][100:164, 50:146]).save("jpeg96x64.jpg", quality=85, subsampling=2)

out = {}
decoded = {}
for name in ["rgb301x217", "rgb200x150", "rgb1024x700", "grey640x480", "rgba64x48", "la64x48", "palette64x48",
             "jpeg96x64"]:
    img = Image.open(name + (".jpg" if name.startswith("jpeg") else ".png")).convert("RGB")  # what ImageFolder's pil_loader and taming's ImagePaths do
    decoded[name] = img
    if name not in inputs:  # an RGB PNG decodes to the array written; the conversions are what is tested
        out["decoded_" + name] = np.array(img)


# ---- Pillow Image.resize ----
FILTERS = {"box": Image.BOX, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
PIL_CASES = [
    ("rgb301x217", (150, 108)),   # ~2x down, odd factors
    ("rgb301x217", (97, 201)),    # down in x, slightly down in y
    ("rgb301x217", (350, 260)),   # up
    ("rgb301x217", (301, 100)),   # vertical pass only
    ("rgb301x217", (64, 217)),    # horizontal pass only
    ("rgb200x150", (341, 256)),   # ADM-style upscale to 256
    ("grey640x480", (123, 77)),   # strong downscale
]
for name, size in PIL_CASES:
    for fname, f in FILTERS.items():
        out["pil_%s_%s_%dx%d" % (fname, name, size[0], size[1])] = np.array(decoded[name].resize(size, resample=f))


# ---- guided-diffusion / DiT center_crop_arr, verbatim apart from the name of the argument ----
def center_crop_arr(pil_image, image_size):
    while min(*pil_image.size) >= 2 * image_size:
        pil_image = pil_image.resize(tuple(x // 2 for x in pil_image.size), resample=Image.BOX)
    scale = image_size / min(*pil_image.size)
    pil_image = pil_image.resize(tuple(round(x * scale) for x in pil_image.size), resample=Image.BICUBIC)
    arr = np.array(pil_image)
    crop_y = (arr.shape[0] - image_size) // 2
    crop_x = (arr.shape[1] - image_size) // 2
    return arr[crop_y: crop_y + image_size, crop_x: crop_x + image_size]


for name in ["rgb301x217", "rgb200x150", "rgb1024x700", "grey640x480"]:
    out["adm256_" + name] = center_crop_arr(decoded[name], 256)
out["adm64_grey640x480"] = center_crop_arr(decoded["grey640x480"], 64)
out["adm96_rgb1024x700"] = center_crop_arr(decoded["rgb1024x700"], 96)


# ---- OpenCV cv2.resize INTER_LINEAR ----
CV_CASES = [
    ("rgb301x217", (150, 108)),
    ("rgb301x217", (97, 201)),
    ("rgb301x217", (350, 260)),
    ("rgb301x217", (301, 100)),
    ("rgb200x150", (341, 256)),
    ("grey640x480", (320, 240)),   # exactly 2x in both directions: OpenCV switches to INTER_AREA
    ("rgb1024x700", (512, 350)),   # exactly 2x again
    ("rgb1024x700", (512, 351)),   # almost 2x: stays bilinear
    ("grey640x480", (341, 256)),
]
for name, size in CV_CASES:
    arr = np.array(decoded[name])
    out["cv2_%s_%dx%d" % (name, size[0], size[1])] = cv2.resize(arr, size, interpolation=cv2.INTER_LINEAR)


# ---- taming ImagePaths validation: albumentations SmallestMaxSize(256) + CenterCrop(256) ----
def smallest_max_size(img, max_size):
    # albumentations.augmentations.functional._func_max_size with func=min (Python 3 round: half to even)
    height, width = img.shape[:2]
    scale = max_size / float(min(width, height))
    if scale != 1.0:
        new_height, new_width = tuple(round(dim * scale) for dim in (height, width))
        img = cv2.resize(img, (new_width, new_height), interpolation=cv2.INTER_LINEAR)
    return img


def center_crop(img, size):
    height, width = img.shape[:2]
    y1 = (height - size) // 2
    x1 = (width - size) // 2
    return img[y1:y1 + size, x1:x1 + size]


for name in ["rgb301x217", "rgb200x150", "rgb1024x700", "grey640x480"]:
    out["ae256_" + name] = center_crop(smallest_max_size(np.array(decoded[name]), 256), 256)



def delta2d(a):
    """PNG-style prediction (left, then up) modulo 256: deflate shrinks smooth images far better after it."""
    a = a.astype(np.int16)
    left = np.diff(a, axis=1, prepend=0)
    return (np.diff(left, axis=0, prepend=0) % 256).astype(np.uint8)


for k, v in out.items():
    assert v.dtype == np.uint8 and v.ndim == 3 and v.shape[2] == 3, k
    out[k] = np.ascontiguousarray(delta2d(v))
np.savez_compressed("goldens.npz", **out)
print("wrote %d arrays" % len(out))
