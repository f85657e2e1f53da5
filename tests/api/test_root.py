"""/api/v1/ lists the API's endpoints, so a script starts from one address."""


def test_the_api_root_lists_every_endpoint_with_its_methods(as_user, people, anonymous):
    response = as_user(people.viewer).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "http://testserver/api/v1/schema/"
    by_name = {endpoint["name"]: endpoint for endpoint in body["endpoints"]}
    experiments = by_name["experiment-list"]
    assert (experiments["path"], experiments["methods"]) == (
        "/api/v1/experiments/",
        ["GET", "POST"],
    )
    assert by_name["experiment-detail"]["path"] == "/api/v1/experiments/{pk}/"
    assert by_name["result-list"]["methods"] == ["GET"]
    assert "root" not in by_name
    assert anonymous.get("/api/v1/").status_code == 401
