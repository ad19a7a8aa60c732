"Stand-in for `google.colab.output`."
from . import _record

def enable_custom_widget_manager():
    "In Colab this lets ipywidgets 8 (and other third-party widgets) render; here it is recorded."
    _record('output.enable_custom_widget_manager')

def disable_custom_widget_manager():
    _record('output.disable_custom_widget_manager')
