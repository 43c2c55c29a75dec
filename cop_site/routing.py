from importlib import import_module


def delegate(view_path):
    """A RoutablePageMixin route that calls the view at `view_path` as view(request, page, ...).

    The view is imported on first use: views import models, so models can't import views at load time.
    """
    module_name, function_name = view_path.rsplit(".", 1)

    def route(self, request, *args, **kwargs):
        view = getattr(import_module(module_name), function_name)
        return view(request, self, *args, **kwargs)

    return route
