"""
Packaging for Mimic. ``twisted.plugins`` is a namespace that Twisted owns:
we ship only ``twisted/plugins/mimic.py`` into it (no ``__init__.py``), which
is how ``twistd`` finds the ``mimic`` subcommand after ``pip install .``.
"""

from setuptools import find_packages, setup

setup(
    name="mimic",
    version="0.1.0",
    description="An in-memory emulator of cloud APIs and service meshes.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["mimic", "mimic.*"]) + ["twisted.plugins"],
    package_data={"mimic": ["py.typed", "model/mesh/schema.json",
                            "model/mesh/istio-crds.json",
                            # The dashboard is served as these files are.
                            "dashboard/*.html", "dashboard/*.js", "dashboard/*.css"]},
    install_requires=[
        "twisted>=23.8",
        "klein>=23.5",
        "treq>=23.11",
        "attrs>=23.1",
        "zope.interface>=6",
        "PyYAML>=6",
        "prometheus-client>=0.17",
        "cryptography>=41",
        "jsonschema>=4.17",
        # mimic.testing's client (and so the pytest plugin) talks HTTP with it.
        "requests>=2.28",
        # Client regexes (Istio's routes, Nova's filter, behavior criteria)
        # are RE2: linear time, whatever a client posts.
        "google-re2>=1.1",
    ],
    extras_require={
        "test": [
            "pytest>=7",
            "pytest-twisted>=1.14",
            # make test runs the suite on every core.
            "pytest-xdist>=3.5",
            "requests>=2.28",
            "keystoneauth1>=5",
            "openstacksdk>=1.0",
            "python-novaclient>=18",
            "python-openstackclient>=6",
            "fastly>=15,<16",
            # Nova responses are checked against tempest.lib's published schemas.
            "tempest>=40",
            "apache-libcloud>=3.8",
            "hypothesis>=6.100",
            # Rendered Kubernetes objects are checked against Kubernetes'
            # own schemas (the package ships them, for 1.25 on).
            "kubernetes-validate>=1.30,<2",
            # The control plane's OpenAPI document, fuzzed against a live server.
            "schemathesis>=4,<5",
            # The dashboard's test drives the system's chromium (never a
            # downloaded browser) through its chromedriver.
            "selenium>=4.10",
            # What the clients' own functional suites import: a subset of
            # them runs in the suite (tests/test_peer_subset.py).
            "fixtures", "oslotest", "testtools", "requests-mock", "ddt",
        ],
        "docs": ["sphinx>=7"],
        # Kept for `pip install mimic[peer]`: the test extra has it all now.
        "peer": ["fixtures", "oslotest", "testtools", "tempest", "requests-mock", "ddt"],
    },
    entry_points={
        "console_scripts": ["mimic = mimic.__main__:main"],
        # Fixtures mimic_server and mimic in every suite of an environment
        # Mimic is installed in (disable with -p no:mimic).
        "pytest11": ["mimic = mimic.pytest_plugin"],
    },
    classifiers=[
        "Framework :: Twisted",
        "Programming Language :: Python :: 3",
        "Topic :: Software Development :: Testing :: Mocking",
    ],
)
