"""The widget in a real browser: Colab's Jupyter Notebook (6.5.7) and ipywidgets (7.7.1) from the replica, a kernel
on 127.0.0.1, driven by headless Chromium (Debian's) through Selenium.

It opens a notebook that shows `ColorizeWidget`, uploads a real photo (scikit-image's `chelsea`) through the
page's file input, waits for the colorized picture, presses Download, saves a screenshot, and checks from the
page itself that the colorized <img> is shown at the photo's size and is not grey. If the widget does not
render, no file input appears and the test fails.

Then the hints (issue 27): a second widget, with the published hint model (`butterflies-hints`, shipped in the
package), gets the same photo; the test clicks its colorized picture (ipyevents carries the click to the kernel),
types a blue far from the model's colour there into the hint's colour picker, and checks on the page that the
CIEDE2000 between that spot and the picked colour is at least halved.

    python .ci/browser_test.py --jupyter-python REPLICA_PYTHON --out DIR
"""
import argparse, base64, io, json, os, secrets, shutil, socket, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

NOTEBOOK_CELLS = [
    "import keras\nfrom coloring_nb.widgets import ColorizeWidget",
    # a model that paints one colour (a ≈ +37, b ≈ −25) on whatever L it gets: what the page shows is the widget's work
    "L = keras.Input((32, 32, 1), name='L')\n"
    "ab = keras.layers.Conv2D(2, 1, activation='tanh', kernel_initializer='zeros', name='ab',\n"
    "                         bias_initializer=keras.initializers.Constant([0.3, -0.2]))(L)\n"
    "widget = ColorizeWidget(keras.Model(L, {'ab': ab}), out_dir='out')\n"
    "widget",
    "hinted = ColorizeWidget('butterflies-hints', out_dir='out-hints')\nhinted",
]
PICKED = (0x22, 0x66, 0xff)   # the hint's colour: a blue, far from the browns the butterfly model gives a cat

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def chroma(png: bytes) -> tuple:
    "(height, width) and mean max(R,G,B) - min(R,G,B) of an image: 0 for grey."
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert('RGB')).astype(np.int16)
    return rgb.shape[:2], float((rgb.max(-1) - rgb.min(-1)).mean())

def img_bytes(driver, img) -> bytes:
    "The bytes of the picture an <img> shows (ipywidgets serves them as blob: URLs)."
    data_url = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0].src).then(r => r.blob()).then(b => { const f = new FileReader(); f.onload = () => done(f.result);"
        " f.readAsDataURL(b); }).catch(e => done('error: ' + e));", img)
    assert data_url.startswith('data:'), data_url
    return base64.b64decode(data_url.split(',', 1)[1])

LAST_ERROR = {}   # why the picture could not be read, the last time: printed if the test fails

def shown_size(driver, img):
    "(height, width) of the picture an <img> shows, None while it shows none."
    try: return chroma(img_bytes(driver, img))[0] if img.get_attribute('src') else None
    except Exception as e: LAST_ERROR['shown_size'] = f'{type(e).__name__}: {e}'; return None

def kernel_state(driver) -> str:
    "What the kernel's widget holds (picture, colour panel, link, message, files saved): told apart from what the page shows."
    code = ("import os; print({'current': widget.current and widget.current['name'], 'colour png bytes': len(widget.colour_image.value),"
            " 'link': widget.link.value[-100:], 'message': widget.message.value, 'out/': sorted(os.listdir('out')) if os.path.isdir('out') else None})")
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; let out = '';"
        "Jupyter.notebook.kernel.execute(arguments[0], {iopub: {output: m => { const c = m.content;"
        "  out += c.text || (c.data && c.data['text/plain']) || (c.ename ? c.ename + ': ' + c.evalue : ''); }},"
        " shell: {reply: () => setTimeout(() => done(out), 1000)}}, {silent: false, store_history: false});", code)

CONSOLE = []   # the browser's console as read so far (reading it empties the driver's buffer)

def console(driver) -> list:
    CONSOLE.extend(e['message'] for e in driver.get_log('browser')); return CONSOLE

def panel_img(driver, caption):
    "The <img> under a panel caption ('grey (the input)', 'colorized')."
    return driver.find_element(By.XPATH, f"(//b[text()='{caption}']/ancestor::div[contains(@class, 'widget-vbox')][1])//img")

def spot_lab(png: bytes, x: int, y: int, r: int = 2):
    "The mean CIE Lab of the (2r+1)² pixels of a picture around its pixel (x, y)."
    from skimage.color import rgb2lab
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert('RGB'))[y - r:y + r + 1, x - r:x + r + 1]
    return rgb2lab(rgb).reshape(-1, 3).mean(0)

def changed(driver, find, old: bytes):
    "The bytes of the picture `find(driver)` shows once they differ from `old`; None before."
    try: new = img_bytes(driver, find(driver))
    except Exception as e: LAST_ERROR['shown_size'] = f'{type(e).__name__}: {e}'; return None
    return new if new != old else None

def hint_test(driver, photo, redrawn, out):
    "The hint widget: the photo uploaded, a click on its colorized picture, a colour typed into the picker; the spot must move toward it."
    from skimage.color import deltaE_ciede2000, rgb2lab
    driver.execute_script("document.getElementById('picked').removeAttribute('id')")   # the first widget's file input
    redrawn.until(lambda d: d.find_elements(By.CSS_SELECTOR, '.output_area .widget-upload')[1].click() or True)
    driver.find_element(By.ID, 'picked').send_keys(str(photo))
    picture = lambda d: d.find_elements(By.XPATH, "(//b[text()='colorized']/ancestor::div[contains(@class, 'widget-vbox')][1])//img")[1]
    redrawn.until(lambda d: shown_size(d, picture(d)) == (300, 451))
    before = img_bytes(driver, picture(driver))
    img = picture(driver)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
    dx, dy = 30, 20                                      # CSS pixels from the picture's centre
    x, y = round((img.size['width'] / 2 + dx) * 451 / img.size['width']), round((img.size['height'] / 2 + dy) * 300 / img.size['height'])
    ActionChains(driver).move_to_element_with_offset(img, dx, dy).click().perform()
    print(f'browser test: clicked the hint widget\'s colorized picture at its pixel ({x}, {y}); waiting for the hint\'s ring')
    marked = redrawn.until(lambda d: changed(d, picture, before))
    text_box = driver.find_elements(By.CSS_SELECTOR, '.widget-colorpicker input[type=text]')[0]
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                          text_box, '#{:02x}{:02x}{:02x}'.format(*PICKED))
    after = redrawn.until(lambda d: changed(d, picture, marked))
    target = rgb2lab(np.array([[PICKED]], np.uint8))[0, 0]
    far, near = (float(deltaE_ciede2000(spot_lab(png, x, y), target)) for png in (before, after))
    driver.save_screenshot(str(out/'hints.png'))
    print(f'browser test: CIEDE2000 from the picked colour at the clicked spot: {far:.1f} before the hint, {near:.1f} after; screenshot {out/"hints.png"}')
    assert near <= far / 2, (far, near)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--jupyter-python', required=True, help="the replica's python (with notebook and coloring_nb)")
    parser.add_argument('--out', default=tempfile.mkdtemp(prefix='browser-'), help='where the screenshot goes')
    parser.add_argument('--chromium', default=shutil.which('chromium') or '/usr/bin/chromium')
    parser.add_argument('--chromedriver', default=shutil.which('chromedriver') or '/usr/bin/chromedriver')
    args = parser.parse_args()
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix='notebook-'))
    out.mkdir(parents=True, exist_ok=True)
    photo = work/'chelsea.jpg'
    subprocess.run([args.jupyter_python, '-c', f"import skimage, PIL.Image; PIL.Image.fromarray(skimage.data.chelsea()).save({str(photo)!r}, quality=95)"], check=True)
    cells = [{'cell_type': 'code', 'metadata': {}, 'execution_count': None, 'outputs': [], 'source': s} for s in NOTEBOOK_CELLS]
    (work/'widget.ipynb').write_text(json.dumps({'cells': cells, 'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}},
                                                 'nbformat': 4, 'nbformat_minor': 5}))
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen([args.jupyter_python, '-m', 'notebook', '--no-browser', '--allow-root', f'--port={port}', '--ip=127.0.0.1',
                               f'--NotebookApp.token={token}', f'--notebook-dir={work}'],
                              stdout=open(out/'jupyter.log', 'w'), stderr=subprocess.STDOUT, env={**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '3'})
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    for flag in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--window-size=1400,1100',
                 f'--user-data-dir={work/"chromium"}'):
        options.add_argument(flag)
    driver = None
    try:
        for _ in range(120):   # the server answers
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1): break
            except OSError: time.sleep(0.5)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=args.chromedriver))
        driver.set_script_timeout(60)
        driver.get(f'http://127.0.0.1:{port}/notebooks/widget.ipynb?token={token}')
        wait = WebDriverWait(driver, 300, poll_frequency=0.5)   # a loaded CI machine is slow
        wait.until(lambda d: d.execute_script("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())"))
        # ipywidgets 7's manager first asks the kernel which widgets it has (its control comm, which a 7.7.1 kernel lacks,
        # then the comms' list) and makes a model for each. Cells run before that list is asked for have their widgets in
        # it: made twice, the second model takes the comm's updates and the drawn views show none of them (seen: the info
        # line and Download's 'saved to' never appeared). Run the cells once the list is asked for: the kernel answers in order.
        asked = lambda d: any('fallback to fetching individual model state' in m for m in console(d))
        try: WebDriverWait(driver, 120, poll_frequency=0.2).until(asked)
        except TimeoutException: print("browser test: ipywidgets' manager did not say it fell back to the comms' list in 120 s; running the cells")
        driver.execute_script("Jupyter.notebook.execute_all_cells()")
        print('browser test: cells running; waiting for the widget to render')
        # the button opens its file input's dialog, which a driven browser cannot use; ipywidgets 7 even detaches that input
        # from the page (its update() clears the button's content): put the input on the page instead of opening the dialog
        driver.execute_script("HTMLInputElement.prototype.click = function () { if (this.type !== 'file') return;"
                              " this.style.display = 'block'; this.id = 'picked'; document.body.appendChild(this); }")
        # the widget may be drawn twice (once seen under load: "Control comm was closed too early", then a redraw), which
        # leaves an element found before the redraw stale: find it again and retry until the click lands
        redrawn = WebDriverWait(driver, 300, poll_frequency=0.5, ignored_exceptions=[NoSuchElementException, StaleElementReferenceException])
        redrawn.until(lambda d: d.find_element(By.CSS_SELECTOR, '.output_area .widget-upload').click() or True)
        driver.find_element(By.ID, 'picked').send_keys(str(photo))
        print('browser test: chelsea.jpg sent through the page\'s file input')
        print('browser test: waiting for the colorized photo on the page')
        redrawn.until(lambda d: shown_size(d, panel_img(d, 'colorized')) == (300, 451))   # the photo, coloured, is on the page
        colour = panel_img(driver, 'colorized')
        print('browser test: the colorized photo is shown; pressing Download')
        redrawn.until(lambda d: d.find_element(By.XPATH, "//button[contains(., 'Download')]").click() or True)
        wait.until(lambda d: d.find_elements(By.XPATH, "//*[contains(text(), 'saved to')]"))
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", colour)
        time.sleep(0.5)
        driver.save_screenshot(str(out/'widget.png'))
        (shape_c, chroma_c), (shape_g, chroma_g) = chroma(img_bytes(driver, colour)), chroma(img_bytes(driver, panel_img(driver, 'grey (the input)')))
        named = bool(driver.find_elements(By.XPATH, "//b[text()='chelsea.jpg']"))   # the info line
        print(f'browser test: colorized picture {shape_c[1]}×{shape_c[0]}, mean chroma {chroma_c:.1f}; grey input {shape_g[1]}×{shape_g[0]}, '
              f'mean chroma {chroma_g:.1f}; the photo\'s name shown: {named}; screenshot {out/"widget.png"}')
        assert shape_c == shape_g == (300, 451), (shape_c, shape_g)
        assert chroma_g < 2, f'the grey panel is not grey: {chroma_g}'
        assert chroma_c > 20, f'the colorized picture is grey: mean chroma {chroma_c}'
        assert named, "the info line does not name the photo"
        saved = work/'out'/'chelsea_colorized.png'
        assert saved.is_file() and chroma(saved.read_bytes())[0] == (300, 451), saved
        hint_test(driver, photo, redrawn, out)
        print('browser test: passed')
        return 0
    except Exception as e:
        if driver is not None:
            driver.save_screenshot(str(out/'failure.png'))
            print(f'browser test: the page at the failure is in {out/"failure.png"}')
            print('browser test: the notebook\'s outputs:', driver.execute_script(
                "return Array.from(document.querySelectorAll('.output_area')).map(e => e.innerText).join('\\n---\\n')"))
            try: print('browser test: the kernel\'s widget:', kernel_state(driver))
            except Exception as k: print(f'browser test: could not ask the kernel: {type(k).__name__}: {k}')
            try: print('browser test: the browser\'s console:', *console(driver)[-20:], sep='\n  ')
            except Exception: pass
        if LAST_ERROR: print('browser test: the last error reading a picture:', LAST_ERROR['shown_size'][:500])
        print(f'browser test: FAILED: {type(e).__name__}: {e}')
        print((out/'jupyter.log').read_text()[-3000:])
        return 1
    finally:
        if driver is not None: driver.quit()
        server.terminate()
        try: server.wait(10)
        except subprocess.TimeoutExpired: server.kill()

if __name__ == '__main__': sys.exit(main())
